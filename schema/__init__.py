"""newsbench.schema"""
