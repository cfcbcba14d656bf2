"""Official letters (正式文书): numbering, content snapshot, PDF rendering, verification and access.

`services.letter_create` is called inside the decision's transaction; it takes the document number
and schedules `tasks.letter_generate` on commit, which renders the PDF once and stores it with its
SHA-256."""
