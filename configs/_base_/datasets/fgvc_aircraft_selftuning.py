# FGVC-Aircraft in the CustomDataset layout (data/fgvc_aircraft/{train,test}/ + meta/train.txt,
# meta/test.txt), labeled split from
#   python tools/dataset_converters/make_semisup_split.py data/fgvc_aircraft/meta/train.txt
#       --percent P --seed 0
# The CUB-200 Self-Tuning batches (cub200_selftuning.py) with this dataset's root and classes.
_base_ = ['./cub200_selftuning.py']

data_preprocessor = dict(num_classes=100)
data_root = 'data/fgvc_aircraft'
train_dataloader = dict(dataset=dict(labeled=dict(data_root=data_root),
                                     unlabeled=dict(data_root=data_root)))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
