"""The backbones, one module per model family (as ``speechbrain.lobes.models``).

The classes are exported by :mod:`speechbrain_fica.lobes`; yaml files name
them ``speechbrain_fica.lobes.AASIST`` (or, in full,
``speechbrain_fica.lobes.models.AASIST.AASIST``). Keeping the modules one
level down means no module shares its dotted name with an exported class:
hyperpyyaml resolves names with ``pydoc.locate``, which on Python >= 3.12
prefers the module and on earlier versions the package attribute.
"""
