#!/usr/bin/env bash
# Idempotent environment setup for mmmix: builds .venv in the checkout.
# Usage: bash tools/setup_env.sh        (does nothing when everything is satisfied)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${MMMIX_VENV:-$ROOT/.venv}
PY=${PYTHON:-python3}

TORCH_VER=2.13.0
TV_VER=0.28.0
MMCV_VER=2.1.0
MMENGINE_VER=0.10.7
MMPRETRAIN_VER=1.2.0
MMDET_VER=3.3.0
SETUPTOOLS_SPEC='setuptools>=77,<82'

step() { printf '\n[setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Trap 1: this machine's pip config adds a local CPU-only torch wheel via find-links,
# which pip prefers over the index build; the index torchvision is linked against the
# index (CUDA) torch. Ignore the user/global pip config and find-links for every install.
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_NO_INDEX || true
export PIP_DISABLE_PIP_VERSION_CHECK=1
PIP_EXTRA=()
# Local read-only mirrors of the package index, when this machine has them (speed only).
for d in /opt/pypi/simple /opt/pypi-more/simple; do
  [ -f "$d/index.html" ] && PIP_EXTRA+=(--extra-index-url "file://$d")
done

if [ ! -x "$VENV/bin/python" ]; then
  step "creating virtual environment in $VENV"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
pipi() {
  # the local mirrors only hold some packages: hide pip's "location ignored" noise
  "$VPY" -m pip install --progress-bar on "${PIP_EXTRA[@]}" "$@" 2>&1 \
    | { grep --line-buffered -v 'is ignored: it is neither a file nor a directory' || true; }
}

# Report which pins are unsatisfied (prints names, one per line).
missing() {
  "$VPY" - "$@" <<'PYEOF'
import sys
from importlib import metadata
for spec in sys.argv[1:]:
    name, _, want = spec.partition('==')
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        print(spec); continue
    if want and have != want:
        print(spec)
PYEOF
}

# Trap 2: setuptools >= 82 removed pkg_resources (mmengine/mmcv import it).
if ! "$VPY" -c "import setuptools, sys; v=tuple(int(x) for x in setuptools.__version__.split('.')[:2]); sys.exit(0 if (77,0)<=v<(82,0) else 1)" 2>/dev/null; then
  step "pinning $SETUPTOOLS_SPEC, wheel, ninja"
  pipi "$SETUPTOOLS_SPEC" wheel ninja
fi

torch_ok() {
  "$VPY" - <<PYEOF 2>/dev/null
import sys
from importlib import metadata
try:
    t = metadata.version('torch'); v = metadata.version('torchvision')
except metadata.PackageNotFoundError:
    sys.exit(1)
# a '+cpu' local torch next to the index torchvision breaks torchvision's ops
sys.exit(0 if (t == '$TORCH_VER' and v == '$TV_VER') else 1)
PYEOF
}
if ! torch_ok || ! "$VPY" -c "import torchvision.ops; torchvision.ops.nms" 2>/dev/null; then
  step "installing torch==$TORCH_VER and torchvision==$TV_VER (index builds, a matching pair)"
  pipi --force-reinstall --no-deps "torch==$TORCH_VER" "torchvision==$TV_VER"
  pipi "torch==$TORCH_VER" "torchvision==$TV_VER" "$SETUPTOOLS_SPEC"
fi

if [ -n "$(missing "mmengine==$MMENGINE_VER")" ]; then
  step "installing mmengine==$MMENGINE_VER"
  pipi "mmengine==$MMENGINE_VER" "$SETUPTOOLS_SPEC"
fi

if [ -n "$(missing "mmcv==$MMCV_VER")" ] || ! "$VPY" -c "import mmcv.ops" 2>/dev/null; then
  step "building mmcv==$MMCV_VER with compiled ops (first time ~17 min on 2 cores; pip's wheel cache makes it fast afterwards)"
  MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} pipi --no-build-isolation -v "mmcv==$MMCV_VER" "$SETUPTOOLS_SPEC" \
    2>&1 | grep --line-buffered -E "^(Building|Created wheel|Successfully|Collecting|Installing|Using cached)|\[[0-9]+/[0-9]+\]|error|Error" || true
  "$VPY" -c "import mmcv.ops" || { echo "mmcv build failed" >&2; exit 1; }
fi

if [ -n "$(missing "mmpretrain==$MMPRETRAIN_VER" "mmdet==$MMDET_VER" pytest)" ]; then
  step "installing mmpretrain==$MMPRETRAIN_VER, mmdet==$MMDET_VER, pytest"
  pipi "mmpretrain==$MMPRETRAIN_VER" "mmdet==$MMDET_VER" "mmcv==$MMCV_VER" "mmengine==$MMENGINE_VER" \
    "torch==$TORCH_VER" "torchvision==$TV_VER" "$SETUPTOOLS_SPEC" pytest
fi

# Trap 4: openmim 0.3.9 depends on opendatalab -> openxlab, which pins setuptools~=60.2
# and breaks torch. mim itself never imports them: install it without deps, plus the
# few light packages it does import.
if [ -n "$(missing openmim==0.3.9 pandas tabulate colorama)" ]; then
  step "installing openmim==0.3.9 without its opendatalab/openxlab dependency"
  pipi --no-deps openmim==0.3.9
  pipi click colorama model-index pandas requests rich tabulate "$SETUPTOOLS_SPEC"
fi

# timm: the independent plain-PyTorch peer of the CIFAR-10 benchmark uses its Mixup/CutMix
# (tools/benchmarks/cifar10_peer.py), and the mixer benchmark compares against it. Pure
# Python; its hub dependencies are only imported when downloading weights, which we never do.
if [ -n "$(missing timm==1.0.31)" ]; then
  step "installing timm==1.0.31 (without its hub dependencies)"
  pipi --no-deps timm==1.0.31
fi

# Exact graph-cut solvers used only by the PuzzleMix/Co-Mixup solver tests and the mixer
# benchmark (the reference design's per-sample CPU loop): PyMaxflow and gco-wrapper.
if [ -n "$(missing PyMaxflow==1.3.2 gco-wrapper==3.0.9)" ]; then
  step "installing PyMaxflow==1.3.2 and gco-wrapper==3.0.9 (exact graph-cut references)"
  pipi --no-deps PyMaxflow==1.3.2 gco-wrapper==3.0.9
fi

if [ ! -e "$ROOT/mmmix/.mim/configs" ] || ! "$VPY" -c "import mmmix" 2>/dev/null || [ -z "$("$VPY" -m pip show mmmix 2>/dev/null | grep -i '^Editable project location')" ]; then
  step "installing mmmix (editable) with the tests extra"
  pipi --no-build-isolation --no-deps -e "$ROOT"
fi

# mim looks for <site-packages>/mmmix/.mim/{configs,tools}; a PEP 660 editable
# install has no such folder, so point one at the checkout.
SITE=$("$VPY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
if [ "$(readlink "$SITE/mmmix" 2>/dev/null)" != "$ROOT/mmmix" ]; then
  step "linking $SITE/mmmix -> $ROOT/mmmix (for mim)"
  rm -f "$SITE/mmmix"
  ln -s "$ROOT/mmmix" "$SITE/mmmix"
fi

step "checking imports"
"$VPY" - <<'PYEOF'
import importlib, sys
failed = []
for mod in ('torch', 'torchvision', 'mmcv.ops', 'mmengine', 'mmpretrain.models', 'mmdet.models', 'mmmix'):
    try:
        importlib.import_module(mod)
    except Exception as e:  # report every failure, then fail loudly
        failed.append(f'{mod}: {type(e).__name__}: {e}')
if failed:
    print('SETUP FAILED, these imports do not work:\n  ' + '\n  '.join(failed), file=sys.stderr)
    sys.exit(1)
import torch, torchvision, mmcv, mmengine, mmpretrain, mmdet, setuptools
print(f'ok: torch {torch.__version__}, torchvision {torchvision.__version__}, mmcv {mmcv.__version__}, '
      f'mmengine {mmengine.__version__}, mmpretrain {mmpretrain.__version__}, mmdet {mmdet.__version__}, '
      f'setuptools {setuptools.__version__}')
PYEOF
