"""The virtual house: ECHONET Lite devices on UDP and a virtual Wi-SUN dongle on a pty."""
