"""The server-rendered pages: the home page and the signed-in user's dashboard (their customer
profile and companies, and forms to add a company or link an item). Sign-in: api/oidc.py."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Company, Customer, Item


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "email", "phone", "address"]
        widgets = {"address": forms.TextInput()}


class ItemChoiceForm(forms.Form):
    item = forms.ModelChoiceField(queryset=Item.objects.all(), empty_label="Choose an item")


def home(request):
    return render(request, "api/home.html")


def _customer(request):
    customer, _ = Customer.objects.get_or_create(user=request.user)
    return customer


@login_required
def dashboard(request, company_form=None):
    customer = _customer(request)
    return render(request, "api/dashboard.html", {
        "customer": customer,
        "companies": customer.companies.all(),
        "items": customer.items.all(),
        "company_form": company_form or CompanyForm(),
        "item_form": ItemChoiceForm(),
        "tessera": request.session.get("tessera") or {},
    }, status=400 if company_form is not None else 200)


@login_required
@require_POST
def add_company(request):
    form = CompanyForm(request.POST)
    if not form.is_valid():
        return dashboard(request, company_form=form)
    company = form.save()
    _customer(request).companies.add(company)
    messages.success(request, f"Added {company.name}.")
    return redirect("dashboard")


@login_required
@require_POST
def add_item(request):
    form = ItemChoiceForm(request.POST)
    if form.is_valid():
        _customer(request).items.add(form.cleaned_data["item"])
        messages.success(request, f"Added {form.cleaned_data['item'].name}.")
    return redirect("dashboard")
