# Stanford-Cars in the CustomDataset layout (data/stanford_cars/{train,test}/ + meta/train.txt,
# meta/test.txt), labeled split from
#   python tools/dataset_converters/make_semisup_split.py data/stanford_cars/meta/train.txt
#       --percent P --seed 0
# The CUB-200 recipe (cub200_finetune.py) with this dataset's root and classes.
_base_ = ['./cub200_finetune.py']

data_preprocessor = dict(num_classes=196)
data_root = 'data/stanford_cars'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
