"""Write the labeled / unlabeled annotation files of a semi-supervised split.

    python tools/dataset_converters/make_semisup_split.py ANN_FILE
        (--num-per-class N | --percent P) [--seed S] [--out-dir DIR] [--prefix train]

``ANN_FILE`` is a CustomDataset annotation file (``"<relpath> <label>"``
lines, e.g. ``data/synthetic_cls/meta/train.txt``). Examples::

    # 4 labels per class of the synthetic set
    python tools/dataset_converters/make_semisup_split.py \\
        data/synthetic_cls/meta/train.txt --num-per-class 4 --seed 0
    # -> data/synthetic_cls/meta/train_labeled_4pc_seed0.txt
    #    data/synthetic_cls/meta/train_unlabeled_4pc_seed0.txt
    # 15% of CUB-200 (in CustomDataset layout)
    python tools/dataset_converters/make_semisup_split.py \\
        data/cub200/meta/train.txt --percent 15 --seed 0

The split is deterministic from the seed (see ``mmmix.datasets.splits``).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmmix.datasets.splits import make_semisup_split  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description='Make a labeled/unlabeled split (mmmix)')
    p.add_argument('ann_file', help='CustomDataset annotation file ("<relpath> <label>" lines)')
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument('--num-per-class', type=int, help='labeled samples per class')
    size.add_argument('--percent', type=float, help='labeled share of every class, in %%')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out-dir', help='output folder (default: the folder of ANN_FILE)')
    p.add_argument('--prefix', default='train', help='file name prefix (default: train)')
    args = p.parse_args(argv)
    lab, unl = make_semisup_split(args.ann_file, args.out_dir, args.num_per_class,
                                  args.percent, args.seed, args.prefix)
    print(f'labeled:   {lab}\nunlabeled: {unl}')


if __name__ == '__main__':
    main()
