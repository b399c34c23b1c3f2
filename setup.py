"""Installs mmmix; exposes configs/ and tools/ as mmmix/.mim/{configs,tools}
(the OpenMMLab way, for ``mim train mmmix CONFIG``)."""
import os
import os.path as osp
import shutil
import sys

from setuptools import setup


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
    for name in ('configs', 'tools'):
        src, dst = osp.join(here, name), osp.join(mim_root, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_root), dst, target_is_directory=True)
        else:
            shutil.copytree(src, dst)


add_mim_extension()
setup()
