"""ZVT (PA00P015), the ECR side: codec (`crc`, `frame`, `apdu`) and the client (`client`)."""
