"""Writes of the review workflow, one module per step:

- `assignments`: reviewers assigned by administrators or claimed (审核分工), bulk actions;
- `formal`: formal review (形式审查), return for supplement (补正，一次性告知);
- `experts`: expert panels, conflict-of-interest declarations and scores (专家评审);
- `decisions`: the bureau decision (实质审核), 从高不重复 conflicts, batch approval;
- `notices`: public notice (公示), objections (异议), finalising awards;
- `deadlines`: reminder e-mails about overdue work.

Every change of an application's state goes through applications.services.application_transition;
these services add the assignment checks (guard) and their own writes (apply)."""
