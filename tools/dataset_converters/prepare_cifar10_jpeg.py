"""Unpack the CIFAR-10 JPEG archive and write mmpretrain annotation files.

    python tools/dataset_converters/prepare_cifar10_jpeg.py [--archive PATH] [--out DIR]

The archive (``cifar10-jpeg.tar.gz``, 60,000 32x32 JPEGs at quality 75, 19.4 MB)
holds ``train/<class>/NNNN.jpg`` (5,000 per class) and ``test/<class>/NNNN.jpg``
(1,000 per class). It is looked for at ``--archive``, then ``$MMMIX_CIFAR10_JPEG``,
then ``../shared/data/cifar10-jpeg.tar.gz`` beside the checkout. Nothing is
downloaded. Steps (each is skipped when already done):

1. the archive's sha256 is checked against :data:`SHA256` (a mismatch stops
   before anything is written);
2. it is unpacked into ``DIR`` (default ``data/cifar10-jpeg``) through a
   temporary sibling folder, whose contents are moved in only after every
   image has been counted. ``DIR/.complete`` records the archive's sha256; a
   folder without it (a killed run) is a half-unpack, and its ``train/`` and
   ``test/`` are redone, other files in it are left alone;
3. ``DIR/meta/`` gets, in mmpretrain's ``CustomDataset`` format
   (``"<class>/NNNN.jpg <label>"`` relative to ``train``/``test``):

   * ``classes.txt``, ``train.txt`` (50,000), ``test.txt`` (10,000);
   * the fixed class-balanced subsets of :data:`SUBSETS`
     (``train_500pc_seed0.txt``: 500 per class, 5,000 images);
   * the semi-supervised splits of :data:`SEMISUP` (250 and 4,000 labels):
     ``train_labeled_25pc_seed0.txt`` / ``train_unlabeled_25pc_seed0.txt`` and
     the ``400pc`` pair.

The subset and labeled lists are committed under ``cifar10_jpeg_lists/``
beside this file and copied from there, so every machine trains on the same
images; ``--check-lists`` re-draws them from their seeds and fails if a
committed list has drifted (the test suite runs it).
"""
import argparse
import hashlib
import os
import os.path as osp
import shutil
import sys
import tarfile

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LISTS_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'cifar10_jpeg_lists')

SHA256 = '45b041e867f5a40f79bfde38d3dd1fd511103d50068c1afecf6445e25234d4db'
CLASSES = ('airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship',
           'truck')
#: images per class in each split of the archive
PER_CLASS = dict(train=5000, test=1000)
#: fixed class-balanced training subsets: (images per class, seed)
SUBSETS = ((500, 0), (200, 0))
#: semi-supervised label splits: (labels per class, seed); 25 -> 250 labels, 400 -> 4,000
SEMISUP = ((25, 0), (400, 0))
MARKER = '.complete'


class PrepareError(RuntimeError):
    """The archive or the output folder is not what this tool expects."""


def default_archive():
    env = os.environ.get('MMMIX_CIFAR10_JPEG')
    if env:
        return env
    return osp.join(osp.dirname(ROOT), 'shared', 'data', 'cifar10-jpeg.tar.gz')


def sha256_of(path, chunk=1 << 20):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            h.update(block)
    return h.hexdigest()


def check_archive(archive, expected=SHA256):
    if not osp.isfile(archive):
        raise PrepareError(
            f'CIFAR-10 JPEG archive not found: {archive}. Pass --archive PATH or set '
            'MMMIX_CIFAR10_JPEG to the cifar10-jpeg.tar.gz file (nothing is downloaded)')
    got = sha256_of(archive)
    if got != expected:
        raise PrepareError(f'{archive}: sha256 {got} does not match the expected {expected}; '
                           'the file is damaged or another archive. Nothing was written')
    return got


def count_images(folder):
    """``{split: {class: n_jpg}}`` of an unpacked tree (missing parts count 0)."""
    counts = {}
    for split in PER_CLASS:
        counts[split] = {}
        for cls in CLASSES:
            d = osp.join(folder, split, cls)
            counts[split][cls] = (sum(1 for n in os.listdir(d) if n.endswith('.jpg'))
                                  if osp.isdir(d) else 0)
    return counts


def layout_problems(folder):
    """Human-readable list of what differs from the expected layout (empty: complete)."""
    problems = []
    for split, per_cls in count_images(folder).items():
        for cls, n in per_cls.items():
            if n != PER_CLASS[split]:
                problems.append(f'{split}/{cls}: {n} images, expected {PER_CLASS[split]}')
    return problems


def is_complete(out, digest=SHA256):
    marker = osp.join(out, MARKER)
    if not osp.isfile(marker):
        return False
    with open(marker, encoding='utf-8') as f:
        return f.read().strip() == digest and not layout_problems(out)


def _safe_members(tar):
    for m in tar.getmembers():
        parts = m.name.split('/')
        if m.name.startswith('/') or '..' in parts or parts[0] not in PER_CLASS:
            raise PrepareError(f'unexpected archive member {m.name!r} (outside train/ and test/)')
        if not (m.isdir() or m.isfile()):
            raise PrepareError(f'unexpected archive member {m.name!r} (not a file or folder)')
        yield m


def unpack(archive, out, digest, log=print):
    """Unpack into ``out`` through a temporary sibling; idempotent."""
    if is_complete(out, digest):
        log(f'{out}: already unpacked (marker {MARKER} matches), skipping')
        return False
    if osp.isdir(out):
        log(f'{out}: no valid {MARKER} marker, treating it as a half-unpack: '
            'redoing train/ and test/')
    parent = osp.dirname(osp.abspath(out)) or '.'
    os.makedirs(parent, exist_ok=True)
    tmp = osp.join(parent, f'.{osp.basename(out)}.unpacking-{os.getpid()}')
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    try:
        log(f'unpacking {archive} -> {out}')
        with tarfile.open(archive, 'r:gz') as tar:
            tar.extractall(tmp, members=list(_safe_members(tar)), filter='data')
        problems = layout_problems(tmp)
        if problems:
            raise PrepareError(f'{archive}: unexpected layout: ' + '; '.join(problems[:5]))
        os.makedirs(out, exist_ok=True)
        marker = osp.join(out, MARKER)
        if osp.exists(marker):
            os.remove(marker)
        for split in PER_CLASS:
            shutil.rmtree(osp.join(out, split), ignore_errors=True)
            os.replace(osp.join(tmp, split), osp.join(out, split))
        with open(marker, 'w', encoding='utf-8') as f:  # written last: the unpack is complete
            f.write(digest + '\n')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True


def full_list(split):
    """``[(relpath, label)]`` of a whole split, in class then file order."""
    n = PER_CLASS[split]
    return [(f'{cls}/{i:04d}.jpg', label) for label, cls in enumerate(CLASSES)
            for i in range(n)]


def draw_subset(per_class, seed):
    """Sorted indices (into :func:`full_list`) of a class-balanced training subset.

    ``per_class`` images of every class, drawn without replacement by numpy's
    PCG64 generator seeded with ``seed``, class by class in label order: the
    draw of ``tools/dataset_converters/make_semisup_split.py`` (a test checks
    that the two agree). numpy only, so the tool also runs where mmmix is not
    installed (a GPU machine preparing its copy of the data).
    """
    labels = np.array([lab for _, lab in full_list('train')])
    rng = np.random.default_rng(int(seed))
    chosen = [rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False)
              for c in np.unique(labels)]
    return np.sort(np.concatenate(chosen))


def _tag(per_class, seed):
    return f'{per_class}pc_seed{seed}'


def committed_lists():
    """``{file name: [(relpath, label)]}`` drawn from the seeds (what is committed)."""
    train = full_list('train')
    lists = {}
    for per_class, seed in SUBSETS:
        lists[f'train_{_tag(per_class, seed)}.txt'] = [train[i] for i in
                                                       draw_subset(per_class, seed)]
    for per_class, seed in SEMISUP:
        lists[f'train_labeled_{_tag(per_class, seed)}.txt'] = [
            train[i] for i in draw_subset(per_class, seed)]
    return lists


def _format(rows, with_label=True):
    return ''.join(f'{p} {lab}\n' if with_label else f'{p}\n' for p, lab in rows)


def check_lists(lists_dir=LISTS_DIR):
    """Problems between the committed lists and a fresh draw (empty: no drift)."""
    problems = []
    for name, rows in committed_lists().items():
        path = osp.join(lists_dir, name)
        if not osp.isfile(path):
            problems.append(f'{path}: missing (run with --write-lists)')
            continue
        with open(path, encoding='utf-8') as f:
            if f.read() != _format(rows):
                problems.append(f'{path}: differs from the draw with its seed')
    return problems


def write_lists(lists_dir=LISTS_DIR):
    os.makedirs(lists_dir, exist_ok=True)
    for name, rows in committed_lists().items():
        with open(osp.join(lists_dir, name), 'w', encoding='utf-8') as f:
            f.write(_format(rows))


def _read_list(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            rel, _, lab = line.strip().rpartition(' ')
            if not rel or not lab.isdigit() or not 0 <= int(lab) < len(CLASSES):
                raise PrepareError(f'{path}:{n}: expected "<class>/NNNN.jpg <label 0-9>", '
                                   f'got {line.strip()!r}')
            rows.append((rel, int(lab)))
    return rows


def write_meta(out, lists_dir=LISTS_DIR, log=print):
    """Write ``out/meta/*.txt`` (atomically per file); returns the file names."""
    meta = osp.join(out, 'meta')
    os.makedirs(meta, exist_ok=True)
    files = {'classes.txt': ''.join(f'{c}\n' for c in CLASSES),
             'train.txt': _format(full_list('train')),
             'test.txt': _format(full_list('test'))}
    train_set = set(p for p, _ in full_list('train'))
    for name, _ in committed_lists().items():
        path = osp.join(lists_dir, name)
        if not osp.isfile(path):
            raise PrepareError(f'committed list {path} is missing')
        rows = _read_list(path)
        unknown = [p for p, _ in rows if p not in train_set]
        if unknown:
            raise PrepareError(f'{path}: {len(unknown)} entries are not training images, '
                               f'e.g. {unknown[0]!r}')
        files[name] = _format(rows)
        if name.startswith('train_labeled_'):
            chosen = set(p for p, _ in rows)
            files[name.replace('_labeled_', '_unlabeled_')] = _format(
                [r for r in full_list('train') if r[0] not in chosen], with_label=False)
    for name, text in files.items():
        path = osp.join(meta, name)
        if osp.isfile(path):
            with open(path, encoding='utf-8') as f:
                if f.read() == text:
                    continue
        tmp = f'{path}.tmp-{os.getpid()}'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.replace(tmp, path)
    log(f'{meta}: ' + ', '.join(sorted(files)))
    return sorted(files)


def prepare(archive=None, out=None, log=print):
    archive = archive or default_archive()
    out = out or osp.join(ROOT, 'data', 'cifar10-jpeg')
    digest = check_archive(archive)
    unpack(archive, out, digest, log=log)
    write_meta(out, log=log)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--archive', help='cifar10-jpeg.tar.gz (default: $MMMIX_CIFAR10_JPEG, then '
                   '../shared/data/cifar10-jpeg.tar.gz beside the checkout)')
    p.add_argument('--out', help='output folder (default data/cifar10-jpeg in the checkout)')
    p.add_argument('--check-lists', action='store_true',
                   help='only check that the committed subset/label lists match their seeds')
    p.add_argument('--write-lists', action='store_true',
                   help='(maintainers) re-draw the committed lists from their seeds')
    args = p.parse_args(argv)
    try:
        if args.write_lists:
            write_lists()
            print(f'wrote {LISTS_DIR}')
            return 0
        if args.check_lists:
            problems = check_lists()
            for line in problems:
                print(line, file=sys.stderr)
            print('committed lists match their seeds' if not problems else 'lists drifted')
            return 1 if problems else 0
        out = prepare(args.archive, args.out)
        print(f'CIFAR-10 JPEG ready in {out}')
        return 0
    except PrepareError as e:
        print(f'error: {e}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
