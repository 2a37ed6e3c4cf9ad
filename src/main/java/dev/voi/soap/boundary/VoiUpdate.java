package dev.voi.soap.boundary;

import dev.voi.audits.boundary.AuditPageView;
import dev.voi.audits.boundary.AuditView;
import jakarta.jws.WebMethod;
import jakarta.jws.WebParam;
import jakarta.jws.WebResult;
import jakarta.jws.WebService;
import jakarta.jws.soap.SOAPBinding;
import jakarta.xml.bind.annotation.XmlElement;
import java.util.List;

/**
 * The SOAP port type (SOAP 1.1, document/literal wrapped): each operation is its REST twin's, with
 * the same rules and refusals. Only this interface carries {@code @WebService}: an application
 * server with its own XML Web Services runtime finds no endpoint class of ours to deploy itself.
 */
@WebService(name = "VoiUpdate", targetNamespace = VoiUpdate.NAMESPACE)
@SOAPBinding(
    style = SOAPBinding.Style.DOCUMENT,
    use = SOAPBinding.Use.LITERAL,
    parameterStyle = SOAPBinding.ParameterStyle.WRAPPED)
public interface VoiUpdate {

  String NAMESPACE = "urn:voi-update:soap:v1";

  @WebMethod
  @WebResult(name = "server")
  Types.ServerInfo getServer() throws ProblemFault;

  @WebMethod
  @WebResult(name = "image")
  List<Types.Image> listImages() throws ProblemFault;

  @WebMethod
  @WebResult(name = "image")
  Types.Image getImage(@WebParam(name = "name") @XmlElement(required = true) String name)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "image")
  Types.Image setPolicy(
      @WebParam(name = "name") @XmlElement(required = true) String name,
      @WebParam(name = "policy") @XmlElement(required = true) String policy,
      @WebParam(name = "maxIncrementalLayers") Integer maxIncrementalLayers)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "layer")
  Types.Layer retireTip(@WebParam(name = "name") @XmlElement(required = true) String name)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "page")
  Types.TerminalPage listTerminals(
      @WebParam(name = "image") String image,
      @WebParam(name = "group") String group,
      @WebParam(name = "strategy") String strategy,
      @WebParam(name = "reason") String reason,
      @WebParam(name = "limit") Integer limit,
      @WebParam(name = "cursor") String cursor)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "terminal")
  Types.Terminal getTerminal(@WebParam(name = "id") @XmlElement(required = true) String id)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "terminal")
  Types.RegisteredTerminal registerTerminal(
      @WebParam(name = "name") @XmlElement(required = true) String name,
      @WebParam(name = "group") String group)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "terminal")
  Types.Terminal assignImage(
      @WebParam(name = "terminalId") @XmlElement(required = true) String terminalId,
      @WebParam(name = "image") @XmlElement(required = true) String image)
      throws ProblemFault;

  @WebMethod
  void unassignImage(
      @WebParam(name = "terminalId") @XmlElement(required = true) String terminalId,
      @WebParam(name = "image") @XmlElement(required = true) String image)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "terminal")
  Types.Terminal setGroup(
      @WebParam(name = "terminalId") @XmlElement(required = true) String terminalId,
      @WebParam(name = "group") @XmlElement(required = true) String group)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "answer")
  Types.StrategyAnswer getAnswer(
      @WebParam(name = "terminalId") @XmlElement(required = true) String terminalId,
      @WebParam(name = "image") @XmlElement(required = true) String image)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "answer")
  Types.StrategyAnswer reportChain(
      @WebParam(name = "terminalId") @XmlElement(required = true) String terminalId,
      @WebParam(name = "image") @XmlElement(required = true) String image,
      @WebParam(name = "node") List<Types.ChainNode> nodes)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "run")
  AuditView startAudit() throws ProblemFault;

  @WebMethod
  @WebResult(name = "run")
  AuditView getAuditRun(@WebParam(name = "id") @XmlElement(required = true) String id)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "runs")
  AuditPageView listAuditRuns(
      @WebParam(name = "limit") Integer limit, @WebParam(name = "cursor") String cursor)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "rollout")
  Types.Rollout getRollout(@WebParam(name = "image") @XmlElement(required = true) String image)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "rollout")
  Types.Rollout advanceRollout(@WebParam(name = "image") @XmlElement(required = true) String image)
      throws ProblemFault;

  @WebMethod
  @WebResult(name = "rollout")
  Types.Rollout haltRollout(@WebParam(name = "image") @XmlElement(required = true) String image)
      throws ProblemFault;
}
