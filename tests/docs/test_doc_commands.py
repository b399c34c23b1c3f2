"""Every shell command that README.md and docs/*.md show parses and starts.

Commands are taken from fenced ``bash``/``shell``/``sh`` blocks and from inline
code spans that begin with a python, make, bash or mim call. For each:

* ``make T``: the Makefile has target ``T``;
* ``bash SCRIPT ...``: the script exists and ``bash -n`` accepts it;
* ``python tools/X.py ARGS``: the tool's own argparse parser accepts ``ARGS``
  (its ``main`` runs up to ``parse_args`` and stops there), and a config file
  among the parsed arguments loads, with ``--cfg-options`` merged;
* ``mim train/test mmmix CONFIG``: ``mim`` is installed and the config loads.

Every ``configs/...py`` path a command names must exist. Placeholders
(``CFG``, ``CONFIG``, ``CKPT``, ``PATH``, ...) are replaced by a real config or a
dummy path; a command with ``...`` in place of its arguments is only checked
for its script.
"""
import argparse
import glob
import os
import os.path as osp
import re
import shlex
import subprocess
import sys

import pytest
from mmengine.config import Config

from conftest import ROOT, load_tool

DOCS = ['README.md'] + sorted(glob.glob(osp.join(ROOT, 'docs', '**', '*.md'), recursive=True))
PYTHONS = ('python', 'python3', '.venv/bin/python', 'python3.12', '$PY')
STARTS = PYTHONS + ('make', 'bash', 'mim', '.venv/bin/mim')
#: placeholder -> stand-in
A_CONFIG = 'configs/mixups/cutmix/resnet18_cutmix_synthetic.py'
PLACEHOLDERS = {'CFG': A_CONFIG, 'CONFIG': A_CONFIG, 'CKPT': 'x.pth', 'CHECKPOINT': 'x.pth',
                'PATH': 'x', '/path/to/cifar10-jpeg.tar.gz': 'x', 'WORK_DIR': 'x', 'DIR': 'x'}


def _commands():
    out = []
    for doc in DOCS:
        path = osp.join(ROOT, doc) if not osp.isabs(doc) else doc
        text = open(path, encoding='utf-8').read()
        name = osp.relpath(path, ROOT)
        for m in re.finditer(r'```(?:bash|shell|sh|console)\n(.*?)```', text, re.S):
            for line in m.group(1).replace('\\\n', ' ').splitlines():
                line = line.strip().removeprefix('$ ')
                if line and not line.startswith('#'):
                    out.append((name, line))
        prose = re.sub(r'```.*?```', '', text, flags=re.S)
        for m in re.finditer(r'`([^`\n]+)`', prose):
            span = m.group(1).strip()
            if span.split(' ', 1)[0] in STARTS and ' ' in span:
                out.append((name, span))
    return out


COMMANDS = _commands()


class _Parsed(Exception):
    def __init__(self, args):
        self.args_ns = args


def _split(line):
    """Shell words of each ``&&``/``;`` part, without ``VAR=value`` prefixes."""
    words = shlex.split(line, comments=True)
    parts, cur = [], []
    for w in words:
        if w in ('&&', ';', '||'):
            parts.append(cur)
            cur = []
        else:
            cur.append(w)
    parts.append(cur)
    return [[w for i, w in enumerate(p) if not (re.match(r'^[A-Z_]+=', w) and
                                                all(re.match(r'^[A-Z_]+=', x) for x in p[:i + 1]))]
            for p in parts if p]


def _sub(words):
    return [PLACEHOLDERS.get(w, w) for w in words]


def _check_configs_exist(words):
    for w in words:
        for path in re.findall(r'configs/[\w./-]+\.py', w):
            assert osp.isfile(osp.join(ROOT, path)), f'{path} does not exist'


def _load_config(ns):
    from mmmix.engine.launch import parse_hook
    for hook in getattr(ns, 'add_hook', None) or ():
        parse_hook(hook)
    cfg_path = getattr(ns, 'config', None)
    if not isinstance(cfg_path, str) or not cfg_path.endswith('.py'):
        return
    cfg = Config.fromfile(osp.join(ROOT, cfg_path))
    options = getattr(ns, 'cfg_options', None)
    if options:
        cfg.merge_from_dict(options)


def _parse_tool(script, args, monkeypatch):
    """Run the tool's main() up to its argparse call; return the namespace."""
    module = load_tool(osp.splitext(osp.relpath(script, 'tools'))[0])
    assert hasattr(module, 'main'), f'{script} has no main()'
    original = argparse.ArgumentParser.parse_args

    def parse_and_stop(self, argv=None, namespace=None):
        raise _Parsed(original(self, argv, namespace))

    monkeypatch.setattr(argparse.ArgumentParser, 'parse_args', parse_and_stop)
    monkeypatch.setattr(sys, 'argv', [script] + args)
    try:
        module.main()
    except _Parsed as done:
        return done.args_ns
    except SystemExit as e:  # argparse refused the arguments
        raise AssertionError(f'{script} {args}: argparse exited with {e.code}') from None
    raise AssertionError(f'{script} never parsed its arguments')


def check_command(line, monkeypatch):
    for words in _split(line):
        words = _sub(words)
        prog, args = words[0], words[1:]
        _check_configs_exist(args)
        if prog == 'make':
            targets = re.findall(r'^([\w-]+):', open(osp.join(ROOT, 'Makefile')).read(), re.M)
            for t in args:
                assert t in targets, f'make {t}: no such target'
        elif prog == 'bash':
            script = osp.join(ROOT, args[0])
            assert osp.isfile(script), f'{args[0]} does not exist'
            subprocess.run(['bash', '-n', script], check=True)
        elif prog in ('mim', '.venv/bin/mim'):
            assert any(osp.isfile(osp.join(d, 'mim')) for d in
                       [osp.dirname(sys.executable)] + os.environ['PATH'].split(os.pathsep))
            if args[:2] in (['train', 'mmmix'], ['test', 'mmmix']):
                Config.fromfile(osp.join(ROOT, args[2]))
        elif prog in PYTHONS:
            if not args or args[0] in ('-m', '-c'):
                continue
            script = args[0]
            assert osp.isfile(osp.join(ROOT, script)), f'{script} does not exist'
            if '...' in args or not script.startswith('tools/') or not script.endswith('.py'):
                continue
            _load_config(_parse_tool(script, args[1:], monkeypatch))
        elif prog == 'pip':
            continue
        else:
            raise AssertionError(f'unknown program {prog!r} in {line!r}')


def test_the_docs_show_commands():
    docs = {d for d, _ in COMMANDS}
    assert len(COMMANDS) > 40 and 'README.md' in docs and 'docs/automix.md' in docs


@pytest.mark.parametrize('doc,line', COMMANDS, ids=[f'{d}:{i}' for i, (d, _) in
                                                     enumerate(COMMANDS)])
def test_documented_command_parses_and_starts(doc, line, monkeypatch):
    monkeypatch.chdir(ROOT)
    check_command(line, monkeypatch)
