"""The template's lifecycle toolkit: everything around the pipeline, not the pipeline itself.

The `{{ cookiecutter.project_slug }}` command (cli/) and what it runs: composing and
checking params.yaml, the lock check, the pull-request report, `verify`, the quality
gate, sweeps, the GTO registry, release bundles and their model card, predictions,
drift monitoring, and the workflows' own steps (ci.py, with the allow-lists of
checked.py for every value that comes from outside).

The template maintains this package: `cruft update` brings its fixes in. Edit
it only when you mean to diverge from the template (a local edit may then
leave conflict markers to resolve on update). Your code is one level up: the
stages (prepare, train, evaluate) and the modules they use.

    {{ cookiecutter.project_slug }} --help      # the commands, by who runs them
    {{ cookiecutter.project_slug }} ci --help   # the workflows' steps
"""
