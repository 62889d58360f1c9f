"""(being written)"""


def check(records, ctx):
    return []
