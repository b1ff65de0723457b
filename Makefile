# customer_reconciliation - developer commands (see README.md)
#   make demo              install with demo data in db cr_demo and serve http://localhost:8069
#   make test [ARGS=...]   fresh db cr_test + pytest tests/ (ARGS go to pytest)
#   make bench [ARGS=...]  run bench/bench.py --config .local/odoo.conf
#   make lint [ARGS=...]   ruff, pylint-odoo, XML/CSV/.po checks (ARGS go to ruff check)
#   make upgrade-check [REV=...]  install REV with demo data, update it with this checkout, compare
#   make pg-start | pg-stop | pg-status | psql   private PostgreSQL cluster in .local/pg
#   make clean             stop the cluster and delete .local/ (all local databases)
SHELL := /bin/bash
ARGS ?=
REV ?= fbc0ad9

.PHONY: help demo test bench lint upgrade-check pg-start pg-stop pg-status psql clean

help:
	@sed -n 's/^#   /  /p' Makefile

demo:
	@bash scripts/demo.sh $(ARGS)

test:
	@bash scripts/test.sh $(ARGS)

bench:
	@bash scripts/bench.sh $(ARGS)

lint:
	@bash scripts/lint.sh $(ARGS)

upgrade-check:
	@bash scripts/upgrade_check.sh $(REV)

pg-start:
	@bash scripts/pg.sh start

pg-stop:
	@bash scripts/pg.sh stop

pg-status:
	@bash scripts/pg.sh status

psql:
	@bash scripts/pg.sh psql $(ARGS)

clean:
	@bash scripts/pg.sh clean
