# mmmix: the two quick-start commands are `make demo` and `make test`.
# Both set up .venv first (idempotent: does nothing when already satisfied).
PY := .venv/bin/python
export PYTHONHASHSEED := 0

.PHONY: setup test demo demo-transfer bench clean-data

setup:
	@bash tools/setup_env.sh

test: setup
	$(PY) -m pytest tests

demo: setup
	$(PY) tools/demo.py

# the transfer chain: pretrain -> convert -> Faster R-CNN (VOC) -> Mask R-CNN (COCO)
demo-transfer: setup
	$(PY) tools/demo_transfer.py

bench: setup
	PIP_CONFIG_FILE=/dev/null $(PY) -m pip install -q --no-deps timm  # the peer in bench_mixers
	$(PY) tools/benchmarks/bench_mixers.py
	$(PY) tools/benchmarks/bench_train_step.py

clean-data:
	rm -rf data/synthetic_cls data/synthetic_cls64 data/synthetic_det work_dirs/demo \
		work_dirs/demo_transfer
