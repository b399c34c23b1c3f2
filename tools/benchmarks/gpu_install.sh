#!/usr/bin/env bash
# On a lent GPU machine (no network): install mmengine, mmcv-lite, mmpretrain and the few
# dependencies its image lacks from the wheels in gpu_carry/wheels (built by
# tools/benchmarks/gpu_carry.sh; docs/cifar10_gpu.md) into gpu_carry/site, offline. The
# machine's own environment is left as it is (it keeps torch, numpy, opencv-python-headless,
# matplotlib, rich, ...); tools/benchmarks/cifar10_gpu.py puts gpu_carry/site on its runs'
# PYTHONPATH. mmmix itself runs from the checkout. Does nothing when everything imports.
#
#   bash tools/benchmarks/gpu_install.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
CARRY=${CARRY_DIR:-gpu_carry}
WHEELS=$CARRY/wheels
SITE=$CARRY/site
PY=${PYTHON:-python3}
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
# no pip config of the machine
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1

check() {
  "$PY" - <<'PYEOF'
import importlib
import os
import sys
sys.path.insert(0, os.getcwd())  # mmmix from the checkout, as tools/train.py runs it
found, missing = [], []
# what mmengine / mmcv / mmpretrain / mmmix import, the image's packages included
for mod in ('torch', 'torchvision', 'numpy', 'PIL', 'cv2', 'matplotlib', 'yaml', 'rich',
            'einops', 'packaging', 'distutils', 'addict', 'yapf', 'termcolor', 'mat4py',
            'modelindex', 'importlib_metadata', 'mmengine', 'mmcv', 'mmpretrain', 'mmmix'):
    try:
        m = importlib.import_module(mod)
        found.append(f'{mod} {getattr(m, "__version__", "")}'.strip())
    except Exception as e:  # noqa: BLE001  report every missing piece at once
        missing.append(f'{mod} ({type(e).__name__}: {e})')
print('[gpu_install] ' + ', '.join(found))
if missing:
    print('[gpu_install] missing: ' + '; '.join(missing), file=sys.stderr)
    sys.exit(1)
import torch
print(f'[gpu_install] torch sees CUDA: {torch.cuda.is_available()}')
PYEOF
}

if check >/dev/null 2>&1; then
  check
  echo "[gpu_install] already installed"
  exit 0
fi
ls "$WHEELS"/*.whl >/dev/null 2>&1 || { echo "error: no wheels in $WHEELS" >&2; exit 2; }
"$PY" -m pip --version >/dev/null 2>&1 || "$PY" -m ensurepip --default-pip

# every carried wheel as it is, without dependencies: the machine has the others (the import
# check below names any that is missing). mmengine and mmcv-lite name opencv-python (the GUI
# build) as a dependency, for which the machine's opencv-python-headless (the same cv2) stands.
"$PY" -m pip install -q --no-index --no-deps --no-compile --upgrade --target "$SITE" \
  "$WHEELS"/*.whl
check
