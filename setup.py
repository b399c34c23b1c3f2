"""Installs mmmix; also exposes configs/ and tools/ under mmmix/.mim the OpenMMLab way."""
import os
import os.path as osp
import shutil

from setuptools import setup
from setuptools.command.develop import develop
from setuptools.command.build_py import build_py


def add_mim_extension(mode):
    """Expose configs/ and tools/ inside the package as mmmix/.mim/{configs,tools}.

    ``mode='symlink'`` for editable installs, ``'copy'`` for wheels/sdists.
    """
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


class Develop(develop):
    def run(self):
        add_mim_extension('symlink')
        super().run()


class BuildPy(build_py):
    def run(self):
        add_mim_extension('copy')
        super().run()


setup(cmdclass={'develop': Develop, 'build_py': BuildPy})
