"""Named ``lr_lambda`` choices for LambdaLR and MultiplicativeLR, each with one parameter k."""

# the repr of an lr_lambda is its formula with k filled in
LAMBDAS = {
    "LambdaLR": {
        "min(1, (epoch + 1) / {k})": lambda epoch, k: min(1.0, (epoch + 1) / k),
        "min((epoch + 1) / {k}, sqrt({k} / (epoch + 1)))": lambda epoch, k: min(
            (epoch + 1) / k, (k / (epoch + 1)) ** 0.5
        ),
        "0.5 ** (epoch / {k})": lambda epoch, k: 0.5 ** (epoch / k),
        "max(0, 1 - epoch / {k})": lambda epoch, k: max(0.0, 1 - epoch / k),
    },
    "MultiplicativeLR": {
        "0.5 if epoch % {k} == 0 else 1": lambda epoch, k: 0.5 if epoch % k == 0 else 1.0,
        "0.5 ** (1 / {k})": lambda epoch, k: 0.5 ** (1 / k),
        "0.97 if epoch <= {k} else 1": lambda epoch, k: 0.97 if epoch <= k else 1.0,
    },
}


class LrLambda:
    """An ``lr_lambda`` with its parameter bound; prints as its formula."""

    def __init__(self, formula, function, k):
        self.formula, self.function, self.k = formula, function, k

    def __call__(self, epoch):
        return self.function(epoch, self.k)

    def __repr__(self):
        return self.formula.format(k=self.k)
