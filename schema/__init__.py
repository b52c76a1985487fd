"""The API's shape: Strawberry types and enums only, in files named as in ``resolvers/``."""
