"""External label maps (OntoNotes, CoNLL-2003) onto the corpus entity types."""
