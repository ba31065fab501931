# pip and bench build the app from pyproject.toml (flit). This file lets tools that still
# run `python setup.py` (older bench versions, some IDEs) build the same package.
import re
from pathlib import Path

from setuptools import find_packages, setup

version = re.search(
	r'^__version__\s*=\s*"([^"]+)"',
	(Path(__file__).parent / "lead_qualification/__init__.py").read_text(),
	re.M,
).group(1)

setup(
	version=version,
	packages=find_packages(exclude=["tests", "tests.*"]),
	include_package_data=True,
	zip_safe=False,
)
