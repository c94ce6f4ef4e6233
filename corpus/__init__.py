"""newsbench.corpus"""
