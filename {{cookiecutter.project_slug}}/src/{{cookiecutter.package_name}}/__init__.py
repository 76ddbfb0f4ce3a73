"""{{ cookiecutter.project_name }}: {{ cookiecutter.description }}

Each pipeline stage in dvc.yaml is a module of this package, run as
``python -m {{ cookiecutter.package_name }}.<stage>``: this is your code.
The template's lifecycle toolkit (params composition, PR report, gate,
registry, bundles, predict and monitor) lives in ``{{ cookiecutter.package_name }}.ops``.
"""
