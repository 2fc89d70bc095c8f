"""torch.distributed on one machine: a launcher, and ZeRO stage 1 from scratch."""

from .launcher import RankFailed, launch
from .zero import ZeroRedundancyOptimizer, partition

__all__ = ["launch", "RankFailed", "ZeroRedundancyOptimizer", "partition"]
