package tenant

import (
	"errors"
	"fmt"
)

// Cmdlet returns the MicrosoftTeams cmdlet that carries op out on a tenant
// whose state is s (the state before op: a holder's UPN and a resource
// account's ObjectId are resolved in it), as one line: the command the
// PowerShell backend's script runs for the step, without the script's
// guard. Every value is quoted with PowerShellQuote, as in the script, so
// the line shows exactly what would be passed (callops apply --verbose). It
// returns an error for an operation it cannot write (an unknown action, an
// account or number that s does not have, text a script can't carry). s is
// not modified.
func Cmdlet(s *Snapshot, op Op) (string, error) {
	for _, v := range []string{op.Number, op.Holder, op.NumberType, op.Location, op.Policy,
		op.ResourceAccount, op.Description, op.User, op.Group} {
		if err := checkScriptText("value", v); err != nil {
			return "", err
		}
	}
	for _, n := range op.Numbers {
		if err := checkScriptText("number", n); err != nil {
			return "", err
		}
	}
	if op.Grant != nil {
		if err := checkScriptText("policy", *op.Grant); err != nil {
			return "", err
		}
	}
	// The script writer's resolvers, on s: the same names as the script.
	p := &psWriter{s: s}
	q := PowerShellQuote
	name := PolicyName(op.Policy)
	switch op.Action {
	case NumberUnassign:
		if _, err := p.objectID(op.Holder); err != nil {
			return "", err
		}
		typ := op.NumberType
		if n := s.NumberByTelephone(op.Number); n != nil {
			typ = n.NumberType
		}
		if typ == "" {
			return "", fmt.Errorf("%s is not in the number inventory: its number type is unknown", op.Number)
		}
		return fmt.Sprintf("Remove-CsPhoneNumberAssignment -Identity %s -PhoneNumber %s -PhoneNumberType %s",
			q(p.accountUPN(op.Holder)), q(op.Number), q(typ)), nil
	case NumberAssign:
		if _, err := p.objectID(op.Holder); err != nil {
			return "", err
		}
		cmd := fmt.Sprintf("Set-CsPhoneNumberAssignment -Identity %s -PhoneNumber %s -PhoneNumberType %s",
			q(p.accountUPN(op.Holder)), q(op.Number), q(op.NumberType))
		if op.Location != "" {
			cmd += " -LocationId " + q(op.Location)
		}
		return cmd, nil
	case NumberSetLocation:
		return fmt.Sprintf("Set-CsPhoneNumberAssignment -PhoneNumber %s -LocationId %s", q(op.Number), q(op.Location)), nil
	case PolicyCreate:
		ra, err := p.raObjectID(op.ResourceAccount)
		if err != nil {
			return "", err
		}
		cmd := fmt.Sprintf("New-CsTeamsSharedCallingRoutingPolicy -Identity %s -ResourceAccount %s -Description %s", q(name), q(ra), q(op.Description))
		if len(op.Numbers) > 0 {
			cmd += " -EmergencyNumbers @{add=" + quoteList(op.Numbers) + "}"
		}
		return cmd, nil
	case PolicyUpdate:
		var args string
		if op.UpdateResourceAccount {
			ra, err := p.raObjectID(op.ResourceAccount)
			if err != nil {
				return "", err
			}
			args += " -ResourceAccount " + q(ra)
		}
		if op.UpdateDescription {
			args += " -Description " + q(op.Description)
		}
		if args == "" {
			return "", errors.New("policy.update changes nothing")
		}
		return fmt.Sprintf("Set-CsTeamsSharedCallingRoutingPolicy -Identity %s%s", q(name), args), nil
	case PolicyRemoveEmergency:
		return fmt.Sprintf("Set-CsTeamsSharedCallingRoutingPolicy -Identity %s -EmergencyNumbers @{remove=%s}", q(name), quoteList(op.Numbers)), nil
	case PolicyAddEmergency:
		return fmt.Sprintf("Set-CsTeamsSharedCallingRoutingPolicy -Identity %s -EmergencyNumbers @{add=%s}", q(name), quoteList(op.Numbers)), nil
	case PolicyDelete:
		return fmt.Sprintf("Remove-CsTeamsSharedCallingRoutingPolicy -Identity %s", q(name)), nil
	case GrantUser:
		arg, _ := grantValue(op.Grant)
		upn := op.User
		if u := s.UserByUPN(op.User); u != nil {
			upn = u.UserPrincipalName
		}
		return fmt.Sprintf("Grant-CsTeamsSharedCallingRoutingPolicy -Identity %s -PolicyName %s", q(upn), arg), nil
	case GrantGroup:
		if op.Grant == nil {
			return fmt.Sprintf("Remove-CsGroupPolicyAssignment -GroupId %s -PolicyType 'TeamsSharedCallingRoutingPolicy'", q(op.Group)), nil
		}
		return fmt.Sprintf("Grant-CsTeamsSharedCallingRoutingPolicy -Group %s -PolicyName %s -Rank %d", q(op.Group), q(PolicyName(*op.Grant)), op.Rank), nil
	case GrantGlobal:
		arg, _ := grantValue(op.Grant)
		return fmt.Sprintf("Grant-CsTeamsSharedCallingRoutingPolicy -Global -PolicyName %s", arg), nil
	}
	return "", fmt.Errorf("unknown action %q", op.Action)
}
