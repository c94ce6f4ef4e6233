"""newsbench.baselines"""
