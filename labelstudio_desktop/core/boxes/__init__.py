"""Boxes from maps: the exact box of highest IoU on a binary map and per-component boxes (with box
geometry), the published Bayesian box search (GPyOpt), a class heatmap's thresholds and boxes, and what reviewing
proposals costs an operator (review_cost). Pure NumPy on arrays: imports nothing else of the project."""
