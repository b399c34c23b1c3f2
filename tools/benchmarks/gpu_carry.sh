#!/usr/bin/env bash
# Build gpu_carry/ (git-ignored): what a lent GPU machine needs for
# tools/benchmarks/cifar10_gpu.py and does not have (docs/cifar10_gpu.md).
#
#   bash tools/benchmarks/gpu_carry.sh [ARCHIVE]
#
# gpu_carry/ gets
#   cifar10-jpeg.tar.gz  the CIFAR-10 JPEG archive (ARCHIVE, else $MMMIX_CIFAR10_JPEG, else
#                        where developer machines keep it, as prepare_cifar10_jpeg.py),
#                        sha256-checked;
#   wheels/              wheels for python 3.12 on manylinux x86_64 of mmengine, mmcv-lite (mmcv
#                        without compiled ops) and mmpretrain, and of those of their dependencies
#                        that the GPU machines' image lacks; tools/benchmarks/gpu_install.sh
#                        installs them there with pip, offline.
# Not carried: what the image already has (python 3.12 with torch, torchvision, numpy, pillow,
# opencv-python-headless, matplotlib, rich, pyyaml, einops, packaging, click, markdown, zipp,
# setuptools; gpu_install.sh stops with the missing name if one of them is not there: add its
# wheel with EXTRA="name==version ...") and mmmix itself (the checkout travels and
# tools/train.py runs from it).
#
# Everything that travels to the machine, the checkout's tracked and not-ignored files
# included, must stay under 64 MiB; the script adds it up and fails above that.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CARRY=${CARRY_DIR:-$ROOT/gpu_carry}
ARCHIVE=${1:-${MMMIX_CIFAR10_JPEG:-$ROOT/../shared/data/cifar10-jpeg.tar.gz}}
PY=${PYTHON:-python3}            # any local python with pip: it only downloads
TARGET_PY=${TARGET_PY:-3.12}     # the GPU machine's python
LIMIT_BYTES=$((64 * 1024 * 1024))

# this machine's pip config adds a local find-links folder and mirrors: ignore them
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_NO_INDEX PIP_EXTRA_INDEX_URL PIP_INDEX_URL || true

# The OpenMMLab packages and the dependencies the image lacks (the closure, checked by
# installing into an environment that has only the image's packages): mmengine -> addict,
# yapf (-> platformdirs), termcolor; mmpretrain -> importlib-metadata (-> zipp,
# lazy-importer), mat4py, modelindex (-> model-index -> ordered-set). mmengine and mmcv-lite
# also name opencv-python (the GUI build) where the image has the headless one (the same cv2
# module), so gpu_install.sh installs those two without their dependencies.
WHEELS=(
  mmengine==0.10.7 mmcv-lite==2.1.0 mmpretrain==1.2.0
  addict==2.4.0 yapf==0.43.0 platformdirs==4.14.9 termcolor==3.3.0
  importlib-metadata==10.2.0 zipp==4.1.2 lazy-importer==0.1.0
  mat4py==0.6.0 modelindex==0.0.2 model-index==0.1.11 ordered-set==4.1.0
)
read -r -a EXTRA_WHEELS <<< "${EXTRA:-}"
PLATFORM=(--python-version "$TARGET_PY" --implementation cp --only-binary=:all:
          --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64
          --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64)

mkdir -p "$CARRY/wheels"

# --- the data archive
WANT=$(sed -n "s/^SHA256 = '\([0-9a-f]*\)'.*/\1/p" tools/dataset_converters/prepare_cifar10_jpeg.py)
DEST="$CARRY/cifar10-jpeg.tar.gz"
if [ -f "$DEST" ] && [ "$(sha256sum "$DEST" | cut -d' ' -f1)" = "$WANT" ]; then
  echo "[gpu_carry] $DEST: present, sha256 ok"
else
  [ -f "$ARCHIVE" ] || { echo "error: archive not found: $ARCHIVE (pass its path)" >&2; exit 2; }
  GOT=$(sha256sum "$ARCHIVE" | cut -d' ' -f1)
  [ "$GOT" = "$WANT" ] || { echo "error: $ARCHIVE: sha256 $GOT, expected $WANT" >&2; exit 2; }
  rm -f "$DEST.tmp" && cp "$ARCHIVE" "$DEST.tmp" && chmod u+w "$DEST.tmp" && mv -f "$DEST.tmp" "$DEST"
  echo "[gpu_carry] copied $ARCHIVE -> $DEST"
fi

# --- the wheels (pip keeps those already downloaded)
echo "[gpu_carry] wheels for python $TARGET_PY: ${WHEELS[*]} ${EXTRA_WHEELS[*]}"
if ! "$PY" -m pip download -q "${PLATFORM[@]}" --no-deps -d "$CARRY/wheels" \
     "${WHEELS[@]}" "${EXTRA_WHEELS[@]}"; then
  # mmcv-lite has shipped as an sdist only for some versions: build its pure-python wheel
  OTHERS=()
  for w in "${WHEELS[@]}" "${EXTRA_WHEELS[@]}"; do [[ $w == mmcv-lite* ]] || OTHERS+=("$w"); done
  "$PY" -m pip download -q "${PLATFORM[@]}" --no-deps -d "$CARRY/wheels" "${OTHERS[@]}"
  "$PY" -m pip wheel -q --no-deps -w "$CARRY/wheels" mmcv-lite==2.1.0
fi
(cd "$CARRY/wheels" && sha256sum -- *.whl) > "$CARRY/wheels.txt"

# --- what travels: the carry plus the checkout's tracked and not-ignored files
CARRY_BYTES=$(du -cb "$CARRY" | tail -1 | cut -f1)
TREE_BYTES=$(git ls-files -z --cached --others --exclude-standard \
             | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
mib() { awk "BEGIN {printf \"%.1f MiB\", $1 / 1048576}"; }
echo "[gpu_carry] $CARRY: $(ls "$CARRY/wheels" | wc -l) wheels, $(mib "$CARRY_BYTES")" \
     "($CARRY_BYTES bytes); with the checkout's files: $(mib $((CARRY_BYTES + TREE_BYTES)))" \
     "of 64 MiB"
if [ $((CARRY_BYTES + TREE_BYTES)) -gt "$LIMIT_BYTES" ]; then
  echo "error: over 64 MiB would travel. Largest not-ignored folders of the checkout:" >&2
  git ls-files --others --exclude-standard | cut -d/ -f1-2 | sort | uniq -c | sort -rn \
    | head -5 >&2
  exit 4
fi
