"""Installs mmmix; exposes configs/, tools/ and model-index.yml as
mmmix/.mim/{configs,tools,model-index.yml} (the OpenMMLab way, for ``mim train mmmix
CONFIG`` and ``mim search mmmix``)."""
import os
import os.path as osp
import shutil
import sys

from setuptools import setup

#: what mim reads from the installed package's .mim folder
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def add_mim_extension():
    """Symlink for editable installs (always current), copy for wheels/sdists."""
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'symlink'
    elif any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel', 'build', 'install')):
        mode = 'copy'
    else:
        return
    here = osp.dirname(osp.abspath(__file__))
    mim_root = osp.join(here, 'mmmix', '.mim')
    os.makedirs(mim_root, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(here, name), osp.join(mim_root, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst, target_is_directory=osp.isdir(src))
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


add_mim_extension()
setup()
