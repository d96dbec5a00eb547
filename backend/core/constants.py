"""Physical constants, units in the names."""

EARTH_RADIUS_KM = 6371.0  # mean radius; the model uses a spherical Earth throughout
MU_EARTH_KM3_S2 = 398600.4418  # gravitational parameter
OMEGA_EARTH_RAD_S = 7.2921150e-5  # sidereal rotation rate
J2 = 1.08262668e-3  # second zonal harmonic
J2_RADIUS_KM = 6378.137  # equatorial radius that J2 is defined with
SUN_RADIUS_KM = 696000.0  # solar radius of Montenbruck & Gill's conical shadow model
AU_KM = 149597870.7  # astronomical unit (IAU 2012)
SECONDS_PER_DAY = 86400.0
J2000_UNIX_S = 946728000.0  # 2000-01-01T12:00:00Z
