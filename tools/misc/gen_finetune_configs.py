"""Write the leaf configs of configs/finetune/ (Fine-/Co-/Self-Tuning, each
+DM, on CUB-200, FGVC-Aircraft and Stanford-Cars at 15/30/50% labels, plus
synthetic twins). Run from the repository root; the files are committed."""
import os.path as osp

OUT = 'configs/finetune'
DATASETS = {'cub200': ('cub200', 200), 'fgvc-aircraft': ('fgvc_aircraft', 100),
            'stanford-cars': ('stanford_cars', 196)}
PERCENTS = (15, 30, 50)
METHODS = {
    'fine-tuning': ('FineTuning', 'finetune', 'Fine-Tuning'),
    'co-tuning': ('CoTuning', 'finetune', 'Co-Tuning (You et al., NeurIPS 2020)'),
    'self-tuning': ('SelfTuning', 'selftuning', 'Self-Tuning (Wang et al., ICML 2021)'),
}
DM_SUPERVISED = ("    mixers=[dict(type='Mixup', alpha=1.0)],\n"
                 "    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=1.0)),\n")
DM_SELF = "    mixers=[dict(type='Mixup', alpha=1.0)],\n"


def model_block(method, dm, num_classes):
    cls = METHODS[method][0]
    lines = 'model = dict(\n' + (f"    type='{cls}',\n" if cls != 'FineTuning' else '')
    if num_classes is not None:
        lines += f'    head=dict(num_classes={num_classes}),\n'
    if method == 'co-tuning':
        lines += '    source_classes=1000,\n    lambda_co=2.3,\n'
    if dm:
        block = DM_SELF if method == 'self-tuning' else DM_SUPERVISED
        if num_classes is not None and method != 'self-tuning':
            block = block.replace('    head=dict(mix_loss',
                                  f'    head=dict(num_classes={num_classes}, mix_loss')
            lines = lines.replace(f'    head=dict(num_classes={num_classes}),\n', '')
        lines += block
    return '' if lines == 'model = dict(\n' else lines + ')\n'


def data_block(method, pct, base_pct):
    if pct == base_pct:  # the dataset base reads this split already
        return ''
    tag = f'{pct}pct_seed0'
    if METHODS[method][1] == 'selftuning':
        return ('train_dataloader = dict(dataset=dict(\n'
                f"    labeled=dict(ann_file='meta/train_labeled_{tag}.txt'),\n"
                f"    unlabeled=dict(ann_file='meta/train_unlabeled_{tag}.txt')))\n")
    return f"train_dataloader = dict(dataset=dict(ann_file='meta/train_labeled_{tag}.txt'))\n"


def hooks(method):
    if method == 'co-tuning':
        return "custom_hooks = [dict(type='CoTuningRelationHook')]\n"
    return ''


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


def main():
    for method, (cls, kind, ref) in METHODS.items():
        for dm in (False, True):
            name = method + ('-dm' if dm else '')
            what = ref + (' + DM(CE)' if dm else '')
            for ds, (base, ncls) in DATASETS.items():
                for pct in PERCENTS:
                    head = (f"_base_ = [\n    '../_base_/models/resnet50_finetune.py',\n"
                            f"    '../_base_/datasets/{base}_{kind}.py',\n"
                            "    '../_base_/schedules/finetune_sgd_iter.py',\n"
                            "    '../_base_/semisup_runtime.py',\n]\n\n")
                    doc = (f'# {what}, ResNet-50 from a local ImageNet checkpoint\n'
                           f'# (model.pretrained_backbone), {ds} with {pct}% labels.\n')
                    ncls = None if ncls == 200 else ncls  # the model base has 200 classes
                    text = head + doc + model_block(method, dm, ncls) + data_block(method, pct, 15)
                    text += hooks(method)
                    write(osp.join(OUT, f'resnet50_{name}-{pct}p_{ds}.py'), text)
            head = ("_base_ = [\n    '../_base_/models/resnet18-w16_finetune.py',\n"
                    f"    '../_base_/datasets/synthetic_{kind}.py',\n"
                    "    '../_base_/schedules/finetune_sgd_short.py',\n"
                    "    '../_base_/semisup_runtime.py',\n]\n\n")
            doc = f'# {what} on the synthetic data with 30% labels (CPU twin).\n'
            text = head + doc + model_block(method, dm, None) + data_block(method, 30, 30)
            text += hooks(method)
            write(osp.join(OUT, f'resnet18-w16_{name}-30p_synthetic.py'), text)


if __name__ == '__main__':
    main()
