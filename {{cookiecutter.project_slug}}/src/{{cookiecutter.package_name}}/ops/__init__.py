"""The template's lifecycle toolkit: everything around the pipeline, not the pipeline itself.

Composing and checking params.yaml, the lock check, the pull-request report,
`make verify`, the quality gate, the GTO registry, release bundles and their
model card, and the `{{ cookiecutter.project_slug }}` command (predict, monitor, inspect).

The template maintains this package: `cruft update` brings its fixes in. Edit
it only when you mean to diverge from the template (a local edit may then
leave a `*.rej` file to resolve on update). Your code is one level up: the
stages (prepare, train, evaluate) and the modules they use.

    python -m {{ cookiecutter.package_name }}.ops.<module>   # what the Makefile's targets run
"""
