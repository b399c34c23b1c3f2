# FGVC-Aircraft (100 variants) at 224 px, batch 16 per GPU: the fine-grained pipeline of
# `cub200_bs16.py` (Resize 256 + RandomCrop 224 + flip; Resize 256 + CenterCrop 224) with
# mmpretrain's `FGVCAircraft` dataset (the official archive unpacked under
# data/fgvc-aircraft-2013b: data/images/, data/images_variant_{trainval,test}.txt).
_base_ = './cub200_bs16.py'

dataset_type = 'FGVCAircraft'
data_preprocessor = dict(num_classes=100)

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root='data/fgvc-aircraft-2013b', split='trainval'))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root='data/fgvc-aircraft-2013b', split='test'))
test_dataloader = val_dataloader
