# mmmix: the two quick-start commands are `make demo` and `make test`.
# Both set up .venv first (idempotent: does nothing when already satisfied).
PY := .venv/bin/python
export PYTHONHASHSEED := 0

.PHONY: setup test demo demo-transfer bench bench-cifar10 clean-data

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
	$(PY) tools/benchmarks/bench_mixers.py
	$(PY) tools/benchmarks/bench_train_step.py

# the CIFAR-10 (JPEG) CPU benchmark: prepare the data, run (or continue) the grid two runs
# at a time, and collect docs/results/cifar10_jpeg/ (docs/cifar10_benchmark.md)
bench-cifar10: setup
	$(PY) tools/dataset_converters/prepare_cifar10_jpeg.py
	$(PY) tools/benchmarks/cifar10_bench.py run --jobs 2

clean-data:
	rm -rf data/synthetic_cls data/synthetic_cls64 data/synthetic_det work_dirs/demo \
		work_dirs/demo_transfer
