"""A package run as ``python -m mnist_pkg.cnn``: yunjey's convolutional network with a relative import."""
