"""{{ cookiecutter.project_name }}: {{ cookiecutter.description }}

Each pipeline stage in dvc.yaml is a module of this package, run as
``python -m {{ cookiecutter.package_name }}.<stage>``: this is your code.
The template's lifecycle toolkit (params composition, PR report, gate,
registry, bundles, predict and monitor) lives in ``{{ cookiecutter.package_name }}.ops``.
"""

import sys

# Under `python -m <this package>.<module>` (dvc.yaml's stages, the Makefile's commands) argv[0] is
# "-m" while Python imports this package: a dependency missing from the Python that runs the module
# then stops it with one line saying to use the project's venv, not a traceback. A plain import skips this.
if sys.argv[:1] == ["-m"]:
    from .errors import report_missing_dependencies

    report_missing_dependencies()
