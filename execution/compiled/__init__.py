"""Compiled documents: a plan per trusted operation (``compiler``, ``plan``), generated
Python per object (``codegen``), the run that follows a plan (``runner``) and how a request
takes that path (``operations``)."""
