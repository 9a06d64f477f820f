"""estate: estate-as-code for public-sector Azure migrations.

Declare the estate (landing zone, ExpressRoute, migration waves, retained on-prem hosts), synthesise and
check Pulumi plans, price them, and reconcile actual Azure spend against the business case.
"""

__version__ = "0.1.0"
