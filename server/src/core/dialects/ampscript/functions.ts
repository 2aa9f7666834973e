import { AMPSCRIPT_SYSTEM_TAGS } from './system-tags';
/** AMPscript's function names, for canonical casing, typo detection and completion. */
export const FUNCTION_NAMES = [
  // Variables and attributes
  'V', 'AttributeValue', 'Output', 'OutputLine',
  // Conditions
  'Empty', 'IsNull', 'IIF', 'IsEmailAddress', 'IsPhoneNumber', 'IsCHTMLBrowser',
  // Text
  'Concat', 'Char', 'Format', 'IndexOf', 'Length', 'Lowercase', 'ProperCase', 'RegExMatch', 'Replace', 'ReplaceList',
  'Substring', 'Trim', 'Uppercase', 'StringToDate', 'StringToHex', 'BuildRowsetFromString', 'BuildRowsetFromJSON',
  'BuildRowsetFromXML', 'Base64Encode', 'Base64Decode', 'MD5', 'SHA1', 'SHA256', 'SHA512', 'EncryptSymmetric',
  'DecryptSymmetric', 'GUID', 'Domain', 'URLEncode', 'WrapLongURL', 'TreatAsContent', 'TreatAsContentArea',
  // Numbers and dates
  'Add', 'Subtract', 'Multiply', 'Divide', 'Mod', 'Random', 'FormatCurrency', 'FormatNumber', 'FormatDate',
  'DateAdd', 'DateDiff', 'DateParse', 'DatePart', 'Now', 'SystemDateToLocalDate', 'LocalDateToSystemDate', 'GetSendTime',
  // Data extensions
  'Lookup', 'LookupRows', 'LookupOrderedRows', 'LookupRowsCS', 'LookupOrderedRowsCS', 'Row', 'RowCount', 'Field',
  'InsertDE', 'UpdateDE', 'UpsertDE', 'DeleteDE', 'InsertData', 'UpdateData', 'UpsertData', 'DeleteData',
  'ClaimRow', 'ClaimRowValue', 'DataExtensionRowCount',
  // Content and links
  'ContentBlockByKey', 'ContentBlockByID', 'ContentBlockByName', 'ContentArea', 'ContentAreaByName',
  'ContentImageByKey', 'ContentImageByID', 'CloudPagesURL', 'MicrositeURL', 'LiveContentMicrositeURL', 'RedirectTo', 'Redirect',
  'RequestParameter', 'QueryParameter', 'HTTPGet', 'HTTPPost', 'HTTPPost2', 'HTTPRequestHeader', 'BarcodeURL', 'Image',
  'BeginImpressionRegion', 'EndImpressionRegion', 'AttachFile', 'GetPortfolioItem', 'GetJWT', 'GetJWTByKeyName',
  // Errors and Salesforce
  'RaiseError', 'CreateSalesforceObject', 'RetrieveSalesforceObjects', 'UpdateSingleSalesforceObject', 'LongSFID',
  'InvokeCreate', 'InvokeRetrieve', 'InvokeUpdate', 'InvokeDelete', 'InvokePerform', 'InvokeExecute', 'InvokeConfigure',
  'CreateObject', 'SetObjectProperty', 'AddObjectArrayItem', 'ListSubscribe', 'AuthenticatedMemberID',
  'AuthenticatedEmployeeID', 'AuthenticatedEmployeeNotificationAddress', 'AuthenticatedEmployeeUserName',
  'AuthenticatedMemberName', 'AuthenticatedEnterpriseID', 'IsEmailAddress',
];

const BY_LOWER = new Map(FUNCTION_NAMES.map((name) => [name.toLowerCase(), name]));

/** The documented spelling of a function (AMPscript is case-insensitive), or undefined when unknown. */
export function canonicalFunction(name: string): string | undefined {
  return BY_LOWER.get(name.toLowerCase());
}

/** Functions that return their first argument's value reworked: the field, formatted. */
export const TRANSFORMS = new Set([
  'V', 'ProperCase', 'Uppercase', 'Lowercase', 'Trim', 'Format', 'FormatDate', 'FormatNumber', 'FormatCurrency',
  'Substring', 'Replace', 'ReplaceList', 'URLEncode', 'RedirectTo', 'StringToDate', 'DateAdd', 'SystemDateToLocalDate',
  'LocalDateToSystemDate', 'DateParse', 'Base64Encode', 'WrapLongURL', 'TreatAsContent',
]);

/** A personalization string Marketing Cloud fills in itself: not recipient data (the list: system-tags.ts). */
export function isSystemString(name: string): boolean {
  return AMPSCRIPT_SYSTEM_TAGS.has(name);
}
