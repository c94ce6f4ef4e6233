"""newsbench.eval"""
