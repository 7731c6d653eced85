"""Customer billing over SOAP: declared from the bundled WSDL (wsdl/), translated by soapbridge."""
