.PHONY: demo test bench lint
demo:   ## run the portal with demo data
	bin/demo
test:   ## run the whole test suite
	bin/test
bench:  ## run the benchmarks (PostgreSQL + Redis)
	bin/bench
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
