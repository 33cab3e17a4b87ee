from cart.totals import calc_tot

__all__ = ["calc_tot"]
