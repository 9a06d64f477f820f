"""The estate definition: the validated model of `stacks/estate.yaml`, its loader, the rules an estate
must obey before anything is built from it, the Azure names it gives rise to, and its summary.

Knows nothing of Pulumi, prices or the command line.
"""
