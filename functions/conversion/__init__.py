"""Number conversion over SOAP (the public NumberConversion service's WSDL, bundled in wsdl/)."""
