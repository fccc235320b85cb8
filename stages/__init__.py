"""Stage runners: the I/O side of the pipeline (files, network, database).

`extract/` stays pure; each module here reads inputs, calls the pure core and writes results.
"""
