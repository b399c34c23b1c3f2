"""Export the backbone of an mmmix classification checkpoint for mmdet.

    python tools/model_converters/mmmix_to_mmdet.py CHECKPOINT OUT
        [--model {student,teacher}] [--allow-cifar-stem] [--no-verify]

Use OUT in a detector config as
``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=OUT)``. See
README.md next to this file.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # checkout


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Export the backbone of an mmmix checkpoint as an mmdet-loadable '
                    'checkpoint (no prefix, for init_cfg=dict(type="Pretrained"))')
    p.add_argument('checkpoint', help='mmmix checkpoint (.pth) or a bare backbone state dict')
    p.add_argument('out', help='output file')
    p.add_argument('--model', choices=['student', 'teacher'], default='student',
                   help='student: backbone.* (raw weights for EMAHook checkpoints); teacher: '
                        'the AutoMix / semi-supervised momentum teacher, SelfTuning key '
                        'encoder, or the EMAHook averaged weights')
    p.add_argument('--allow-cifar-stem', action='store_true',
                   help="drop the 3x3 conv1 of a CIFAR ResNet and keep the rest (the "
                        "detector's own init fills conv1)")
    p.add_argument('--no-verify', action='store_true',
                   help='do not check that the backbone loads strictly into mmdet / '
                        'mmpretrain ResNet (needed for non-ResNet backbones)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmmix.utils.backbone_export import ConversionError, convert_checkpoint, format_report
    try:
        report = convert_checkpoint(args.checkpoint, args.out, model=args.model,
                                    allow_cifar_stem=args.allow_cifar_stem,
                                    verify=not args.no_verify)
    except (ConversionError, RuntimeError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    print(format_report(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
