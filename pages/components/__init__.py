"""Parts every page shares: the layout with its menu and bell, tables and map frames."""
