/** The SOAP endpoint's contract: every element in {@code urn:voi-update:soap:v1}, qualified. */
@XmlSchema(namespace = VoiUpdate.NAMESPACE, elementFormDefault = XmlNsForm.QUALIFIED)
package dev.voi.soap.boundary;

import jakarta.xml.bind.annotation.XmlNsForm;
import jakarta.xml.bind.annotation.XmlSchema;
