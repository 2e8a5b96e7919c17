"""The three stacks: ``{project}-{stage}-vpc``, ``{project}-{stage}-pgstac``, ``{project}-{stage}``."""
