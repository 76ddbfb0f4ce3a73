"""{{ cookiecutter.project_name }}: {{ cookiecutter.description }}

Each pipeline stage in dvc.yaml is a module of this package, run as
``python -m {{ cookiecutter.package_name }}.<stage>``.
"""
